"""Pay lifecycle: period states, frozen statements, adjustments, questions and acknowledgements (issue 11).

Revision ID: 0003_pay
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_pay"
down_revision = "0002"
branch_labels = None
depends_on = None

AMOUNT = sa.Numeric(20, 6, asdecimal=False)


def upgrade() -> None:
    op.create_table(
        "pay_periods",
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("review_until", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(100), nullable=True),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
    )
    op.create_table(
        "pay_snapshots",
        sa.Column("period", sa.String(10), primary_key=True),
        sa.Column("employee_id", sa.String(50), primary_key=True),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("plan_name", sa.String(200), nullable=False),
        sa.Column("payable", AMOUNT, nullable=False),
        sa.Column("deferred", AMOUNT, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "pay_adjustments",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("employee_id", sa.String(50), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("paid_in", sa.String(10), nullable=True),
        sa.Column("corrects", sa.String(10), nullable=False),
        sa.Column("amount", AMOUNT, nullable=False),
        sa.Column("deferred", AMOUNT, nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_pay_adjustments_employee_id", "pay_adjustments", ["employee_id"])
    op.create_table(
        "pay_inquiries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("employee_id", sa.String(50), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("line", sa.String(40), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("raised_by", sa.String(100), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("answered_by", sa.String(100), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("adjustment_id", sa.Integer(), nullable=True),
    )
    op.create_index("ix_pay_inquiries_employee_id", "pay_inquiries", ["employee_id"])
    op.create_table(
        "pay_acks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("employee_id", sa.String(50), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pay_acks")
    op.drop_index("ix_pay_inquiries_employee_id", table_name="pay_inquiries")
    op.drop_table("pay_inquiries")
    op.drop_index("ix_pay_adjustments_employee_id", table_name="pay_adjustments")
    op.drop_table("pay_adjustments")
    op.drop_table("pay_snapshots")
    op.drop_table("pay_periods")
