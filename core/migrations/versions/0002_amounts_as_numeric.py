"""Amounts as exact decimals: daily-log metrics and target values become NUMERIC(20, 6).

Revision ID: 0002
Revises: 0001

Every stored float is converted by the database's own cast (PostgreSQL: double precision → numeric, exact to
the 6th decimal, far below 1 yuan for 万元 amounts and 0.000001 yuan for 元; SQLite: the table is rebuilt, values
kept). No value in a real database carries more than 6 decimals of its unit, so nothing is lost.
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

METRICS = ("visits", "new_customers", "deposits_new", "deposit_balance", "loans_new", "credit_cards",
           "mobile_banking", "wealth_sales", "fee_income", "post_loan_checks", "complaints")
AMOUNT = sa.Numeric(20, 6, asdecimal=False)


def upgrade() -> None:
    with op.batch_alter_table("daily_logs") as batch:
        for m in METRICS:
            batch.alter_column(m, existing_type=sa.Float(), type_=AMOUNT, existing_nullable=True)
    with op.batch_alter_table("targets") as batch:
        batch.alter_column("value", existing_type=sa.Float(), type_=AMOUNT, existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("targets") as batch:
        batch.alter_column("value", existing_type=AMOUNT, type_=sa.Float(), existing_nullable=False)
    with op.batch_alter_table("daily_logs") as batch:
        for m in METRICS:
            batch.alter_column(m, existing_type=AMOUNT, type_=sa.Float(), existing_nullable=True)
