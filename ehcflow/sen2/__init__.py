"""SEN2 return."""
