"""Saved upload column mappings: a header the schema does not know, read as a field (or ignored), per team or
branch-wide (core/ingest/mappings.py).

Revision ID: 0006_mappings
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_mappings"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "column_mappings",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("team", sa.String(100), nullable=True),
        sa.Column("header", sa.String(200), nullable=False),
        sa.Column("header_text", sa.String(200), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_column_mappings_key", "column_mappings", ["kind", "header"])


def downgrade() -> None:
    op.drop_index("ix_column_mappings_key", table_name="column_mappings")
    op.drop_table("column_mappings")
