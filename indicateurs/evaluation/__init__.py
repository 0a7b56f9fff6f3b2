"""The evaluation of the indicators: the rules (regles), their SQL on PostgreSQL (sql), and the run (moteur).

Nothing is imported here: the models read the statuses from regles, and moteur reads the models.
"""
