"""Root resolvers, one module per operation family; `app.api.schema` assembles them."""
