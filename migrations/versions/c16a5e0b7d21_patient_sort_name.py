"""patient sort name: the panel sorts by family name

Revision ID: c16a5e0b7d21
Revises: 8e17ced4cd8f
Create Date: 2026-11-22 21:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c16a5e0b7d21'
down_revision = '8e17ced4cd8f'
branch_labels = None
depends_on = None


def _sort_name(name: str) -> str:
    """A copy of tracker.models.patient.sort_name as it was when this migration was written."""
    family, comma, given = name.partition(",")
    if not comma:
        *given_words, family = name.split() or [""]
        given = " ".join(given_words)
    return " ".join(f"{family} {given}".lower().split())


def upgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.String(length=200), nullable=True,
                                      comment='family name first, lower case: for sorting'))
    bind = op.get_bind()
    patients = sa.table('patients', sa.column('id', sa.Integer), sa.column('name', sa.String),
                        sa.column('sort_name', sa.String))
    for patient_id, name in bind.execute(sa.select(patients.c.id, patients.c.name)).all():
        bind.execute(patients.update().where(patients.c.id == patient_id)
                     .values(sort_name=_sort_name(name)))
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.alter_column('sort_name', existing_type=sa.String(length=200), nullable=False)
        batch_op.create_index(batch_op.f('ix_patients_sort_name'), ['sort_name'], unique=False)


def downgrade():
    with op.batch_alter_table('patients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patients_sort_name'))
        batch_op.drop_column('sort_name')
