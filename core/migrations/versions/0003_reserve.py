"""Risk-reserve forfeits (追索扣回): a director takes part of a manager's unreleased reserve, with a reason.

Revision ID: 0003_reserve
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_reserve"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reserve_forfeits",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("employee_id", sa.String(50), sa.ForeignKey("managers.employee_id"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("amount", sa.Numeric(20, 6, asdecimal=False), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_reserve_forfeits_employee_id", "reserve_forfeits", ["employee_id"])


def downgrade() -> None:
    op.drop_index("ix_reserve_forfeits_employee_id", table_name="reserve_forfeits")
    op.drop_table("reserve_forfeits")
