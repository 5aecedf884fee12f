"""Sign-in attempts remember their client: throttling by (username, client) instead of by username alone.

Revision ID: 0004_signin
Revises: 0002

``login_attempts.client`` holds ``core.auth.client_id`` (the client's address and a digest of its browser), so
failures from a stranger's client no longer lock the real user out of his usual one; the index on ``at`` serves
the server-wide budget of password checks per minute. Existing rows keep a NULL client (an unknown client).
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_signin"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch:
        batch.add_column(sa.Column("client", sa.String(64), nullable=True))
        batch.create_index(batch.f("ix_login_attempts_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempts") as batch:
        batch.drop_index(batch.f("ix_login_attempts_at"))
        batch.drop_column("client")
