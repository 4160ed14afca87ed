"""The JSON API (/api/v1/): a thin edge over the same services and policy as the pages. A bearer
token acts as its user (portal.api_tokens); cookie sessions are not accepted here, so no browser
can be made to call it (no CSRF exemption for sessions). portal.api.framework declares operations;
portal.api.openapi builds the OpenAPI 3.1 document from those declarations."""
