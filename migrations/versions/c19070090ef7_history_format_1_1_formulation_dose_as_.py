"""History format 1.1: formulation, dose as prescribed, laterality, modality, PHQ-9 items

Also the confirmation of a daily dose above the label maximum, kept on the trial.

Revision ID: c19070090ef7
Revises: c16a5e0b7d21
Create Date: 2026-11-22 21:32:12.830078

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c19070090ef7'
down_revision = 'c16a5e0b7d21'
branch_labels = None
depends_on = None

LATERALITY = ('bilateral', 'unilateral', 'unknown')
MODALITY = ('CBT', 'IPT', 'BA', 'PST', 'MBCT', 'CBASP', 'DBT', 'psychodynamic', 'supportive',
            'other')


def upgrade():
    with op.batch_alter_table('dose_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('amount_mg', sa.Float(), nullable=True, comment='mg per administration, as prescribed; null when only the total is known'))
        batch_op.add_column(sa.Column('times_per_day', sa.Integer(), nullable=True, comment='administrations a day (1-6)'))
        batch_op.alter_column('mg_per_day', existing_type=sa.Float(), existing_nullable=False,
                              comment='the daily total the rules use')
        batch_op.create_check_constraint(
            'amount_with_times',
            '(amount_mg IS NULL AND times_per_day IS NULL) OR '
            '(amount_mg > 0 AND times_per_day BETWEEN 1 AND 6)')

    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('items', sa.String(length=9), nullable=True, comment="a PHQ-9's nine item answers as digits 0-3, e.g. 332221101"))
        batch_op.create_check_constraint(
            'items_of_phq9', "items IS NULL OR (instrument = 'PHQ-9' AND length(items) = 9)")

    with op.batch_alter_table('treatments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('laterality', sa.Enum(*LATERALITY, name='laterality', native_enum=False, create_constraint=True, length=10), nullable=True, comment='ECT only; null for other kinds'))
        batch_op.add_column(sa.Column('modality', sa.Enum(*MODALITY, name='modality', native_enum=False, create_constraint=True, length=13), nullable=True, comment='psychotherapy only; null for other kinds'))
        batch_op.create_check_constraint('laterality_of_ect', "laterality IS NULL OR kind = 'ECT'")
        batch_op.create_check_constraint('modality_of_psychotherapy',
                                         "modality IS NULL OR kind = 'psychotherapy'")

    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('formulation', sa.String(length=16), server_default='', nullable=False, comment='release form as prescribed (XR, SR, ODT ...); empty when not recorded'))
        batch_op.add_column(sa.Column('above_max_confirmed', sa.Boolean(), server_default=sa.false(), nullable=False, comment='the clinician confirmed a daily dose above the label maximum'))


def downgrade():
    with op.batch_alter_table('trials', schema=None) as batch_op:
        batch_op.drop_column('above_max_confirmed')
        batch_op.drop_column('formulation')

    with op.batch_alter_table('treatments', schema=None) as batch_op:
        for name in ('modality_of_psychotherapy', 'laterality_of_ect', 'modality', 'laterality'):
            batch_op.drop_constraint(batch_op.f(f'ck_treatments_{name}'), type_='check')
        batch_op.drop_column('modality')
        batch_op.drop_column('laterality')

    with op.batch_alter_table('measurements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_measurements_items_of_phq9'), type_='check')
        batch_op.drop_column('items')

    with op.batch_alter_table('dose_steps', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_dose_steps_amount_with_times'), type_='check')
        batch_op.alter_column('mg_per_day', existing_type=sa.Float(), existing_nullable=False,
                              comment=None)
        batch_op.drop_column('times_per_day')
        batch_op.drop_column('amount_mg')
