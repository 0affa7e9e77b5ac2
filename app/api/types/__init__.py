"""The GraphQL types, one module per area; resolvers live next to the fields that need them."""
