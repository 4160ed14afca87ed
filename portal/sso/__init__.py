"""Single sign-on with OpenID Connect (authlib as the client).

    providers.py  the providers from OIDC_* settings; their discovery documents and keys
    id_tokens.py  checking an ID token: signature, issuer, audience, expiry, nonce
    service.py    the authorization code flow with PKCE, and who a provider's answer signs in
    routes.py     the buttons' endpoint, the callback and the offer to sign out at the provider too
"""
