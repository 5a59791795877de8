"""The accounts' web: authentication middleware, login and password, administration."""
