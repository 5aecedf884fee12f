"""Rollups the database keeps: per manager × ISO week and per manager × month (core/store/rollup_sql.py), filled
from the daily logs already stored.

Revision ID: 0007_rollups
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_rollups"
down_revision = "0002"
branch_labels = None
depends_on = None

FLOWS = ("visits", "new_customers", "deposits_new", "loans_new", "credit_cards", "mobile_banking",
         "wealth_sales", "fee_income", "post_loan_checks", "complaints")
POSITIVE_DAYS = ("deposits_new", "loans_new", "wealth_sales")


def _columns():
    amount = sa.Numeric(20, 6, asdecimal=False)
    return [*[sa.Column(m, amount, nullable=False) for m in FLOWS],
            sa.Column("logged_days", sa.Integer(), nullable=False),
            *[sa.Column(f"days_{m}", sa.Integer(), nullable=False) for m in POSITIVE_DAYS],
            sa.Column("balance_days", sa.Integer(), nullable=False),
            sa.Column("balance_sum", amount, nullable=True),
            sa.Column("last_balance", amount, nullable=True),
            sa.Column("last_balance_date", sa.Date(), nullable=True)]


def upgrade() -> None:
    op.create_table("week_rollups",
                    sa.Column("employee_id", sa.String(50), primary_key=True),
                    sa.Column("week_start", sa.Date(), primary_key=True),
                    *_columns())
    op.create_index("ix_week_rollups_week_start", "week_rollups", ["week_start"])
    op.create_table("month_rollups",
                    sa.Column("employee_id", sa.String(50), primary_key=True),
                    sa.Column("month", sa.String(7), primary_key=True),
                    *_columns())
    op.create_index("ix_month_rollups_month", "month_rollups", ["month"])
    # Fill them from the logs already stored (the same statements `python -m core rollups rebuild` runs).
    from core.store.rollup_sql import rebuild_conn   # imported here: only this data step needs the store's SQL
    rebuild_conn(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_month_rollups_month", table_name="month_rollups")
    op.drop_table("month_rollups")
    op.drop_index("ix_week_rollups_week_start", table_name="week_rollups")
    op.drop_table("week_rollups")
