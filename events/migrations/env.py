"""Alembic environment: migrations run on a connection handed over by `events.migrate`."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # Set only when a developer autogenerates a revision from an application's tables.
    target_metadata=context.config.attributes.get("target_metadata"),
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
