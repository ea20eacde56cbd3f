"""Rules that hold resources to Azure's own definitions of them."""
