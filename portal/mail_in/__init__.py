"""Email in: messages received by `caseport mail-in` (a pipe or LMTP) become comments and cases.

    message.py    ParsedMail: what processing reads of one RFC 5322 message (the parser's result)
    outcomes.py   Outcome: what processing did with a message (the inbound queue shows it)
"""
