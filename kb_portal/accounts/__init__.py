"""Accounts: users, roles, login, user administration and API tokens."""
