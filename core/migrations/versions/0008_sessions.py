"""Server-side sign-in sessions and the director's display links (only token hashes are stored).

Revision ID: 0008_sessions
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_sessions"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=True),
        sa.Column("method", sa.String(20), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(30), nullable=True),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])
    op.create_table(
        "display_links",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("scope", sa.String(10), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(100), nullable=True),
        sa.Column("last_opened_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("display_links")
    op.drop_index("ix_sessions_username", table_name="sessions")
    op.drop_table("sessions")
