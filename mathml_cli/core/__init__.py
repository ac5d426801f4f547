"""Pure computation: returns plain data, never prints, never exits."""
