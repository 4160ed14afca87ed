"""The API's resources, one module each; importing portal.api.routes imports them all."""
