"""Email in: messages received by `caseport mail-in` (a pipe or LMTP) become comments and cases.

    receive.py      the edges: one message on standard input (an MTA's pipe) or an LMTP server
    store.py        keep the raw message before acknowledging it; a second copy does nothing
    process.py      the pipeline, once per message under a claim: noise, trust, rate, thread, new case, hold
    threading.py    which case a reply belongs to: signed reply addresses, Message-IDs we sent, references
    new_cases.py    mail to an inbound address opens a case (customers, proxies, staff forwards, strangers)
    replies.py      the fixed answers to senders, throttled
    attachments.py  a message's files as uploads, through the same checks as the web form
    addresses.py    inbound addresses (admin service); admin_routes.py, admin_forms.py their pages
    queue.py        held and failed mail for staff; routes.py its pages
    parse.py        raw bytes → ParsedMail (never raises), with parse_*.py, quotes.py (quoted history and
                    signatures), html_text.py (HTML → safe text) and trust.py (Authentication-Results)
    message.py      ParsedMail: what processing reads of one RFC 5322 message
    outcomes.py     Outcome: what processing did with a message (the queue shows it)
"""
