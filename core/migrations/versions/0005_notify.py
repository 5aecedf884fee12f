"""Group robots: webhooks, deliveries, sent alerts; the roster's optional mobile number (managers.mobile).

Revision ID: 0005_notify
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_notify"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("managers") as batch:
        batch.add_column(sa.Column("mobile", sa.String(20), nullable=True))
    op.create_table(
        "notify_webhooks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("secret", sa.String(200), nullable=True),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "notify_deliveries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("errcode", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("username", sa.String(100), nullable=False),
    )
    op.create_index("ix_notify_deliveries_webhook_id", "notify_deliveries", ["webhook_id"])
    op.create_index("ix_notify_deliveries_at", "notify_deliveries", ["at"])
    op.create_table(
        "notify_sent_alerts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.String(50), nullable=False),
        sa.Column("rule_id", sa.String(40), nullable=False),
        sa.Column("since_week", sa.String(8), nullable=False),
        sa.Column("last_week", sa.String(8), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_notify_sent_alerts_key", "notify_sent_alerts", ["webhook_id", "employee_id", "rule_id"])


def downgrade() -> None:
    op.drop_index("ix_notify_sent_alerts_key", table_name="notify_sent_alerts")
    op.drop_table("notify_sent_alerts")
    op.drop_index("ix_notify_deliveries_at", table_name="notify_deliveries")
    op.drop_index("ix_notify_deliveries_webhook_id", table_name="notify_deliveries")
    op.drop_table("notify_deliveries")
    op.drop_table("notify_webhooks")
    with op.batch_alter_table("managers") as batch:
        batch.drop_column("mobile")
