"""State changes of the staff workspace. Each function checks portal.policy, writes with the case
services' conditional write (portal.cases.service.transitions) and records a feed entry, in one
transaction:
- handling.py  who has the case (take, assign), where it is (move, escalate, de-escalate), its priority
- details.py   editing title, summary, reason and custom field values
- tasks.py     tasks on a case: create, edit, complete, reopen (customer-visible ones are "next steps")
- contacts.py  the customers on a case (link, unlink, one update to all) and the contact log
- shared.py    what they all share: refusing a closed case, the staff feed entry
"""
