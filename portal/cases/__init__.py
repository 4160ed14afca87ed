"""The customer and proxy portal: new case, case page (more to come)."""
