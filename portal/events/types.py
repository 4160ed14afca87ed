"""The event types and what each one's data holds (ids and old/new values, never display names).
The API documents this list and webhook endpoints subscribe to its names.

Every event's data that comes from a change in the activity feed holds "feed_event", the UUID of that
feed entry. A change is {"old": ..., "new": ...}; statuses are {"id": status UUID, "category": open |
waiting | resolved | closed}; users, workgroups, customers, templates, reasons, assets, tasks and
files are named by UUID; priorities by code (low, normal, high, urgent); custom fields by their key,
with values as stored (ISO dates, numbers, option values, true/false). The events that change the
status (status_changed, resolution_proposed/accepted/rejected, closed, reopened) all hold "status".
"""

# type -> one line for integrators (English: it is API documentation, not text for the portal's people).
EVENT_TYPES: dict[str, str] = {
    "case.created": "A case was opened (data: template, title, summary, customer, status, priority, reason, "
                    "workgroup, internal_contact, asset, follow_up_of, language, channel, fields by key, attachments).",
    "case.updated": "Case details changed (internal; data: changes: {title | summary | reason | field key: "
                    "{old, new}}). Also right after case.created when staff filled internal fields.",
    "case.commented": "A public comment was added (data: comment, body, attachments, channel).",
    "case.internal_note_added": "A staff-only note was added (internal; data: comment, body, attachments, channel).",
    "case.status_changed": "Staff chose another status that does not close the case (data: status {old, new}).",
    "case.assigned": "The assignee changed (internal; data: assignee {old, new}, null for the queue; reason: null, "
                     "deactivated or left_staff when the assignee's account changed).",
    "case.moved": "The case moved to another workgroup (internal; data: workgroup {old, new}, assignee {old, new}).",
    "case.escalated": "The case was escalated to its escalation workgroup (internal; data: workgroup, assignee, "
                      "escalated {old, new}, reason).",
    "case.deescalated": "The case was sent back from escalation (internal; data: workgroup, assignee, "
                        "escalated {old, new}, reason).",
    "case.priority_changed": "The priority changed (internal; data: priority {old, new}).",
    "case.resolution_proposed": "Staff proposed a resolution (data: status {old, new}, resolution).",
    "case.resolution_accepted": "The customer accepted the resolution and the case closed (data: status "
                                "{old, new}, rating: 1-5 or null, comment).",
    "case.resolution_rejected": "The customer rejected the resolution and the case is open again (data: status "
                                "{old, new}, reason).",
    "case.closed": "The case was closed, or staff chose a closed status (data: status {old, new}, reason, "
                   "automatic: null or unanswered_resolution).",
    "case.reopened": "The case was reopened (data: status {old, new}, reason).",
    "case.customer_linked": "Another customer was linked to the case (internal; data: customer).",
    "case.customer_unlinked": "A linked customer was removed (internal; data: customer).",
    "case.contact_logged": "Staff logged a contact with the customer (internal; data: channel, direction, "
                           "contacted_at, summary).",
    "task.created": "A task was added to the case (internal; data: task, title, assignee, due_date, "
                    "customer_visible).",
    "task.updated": "A task changed (internal; data: task, changes: {title | assignee | due_date | "
                    "customer_visible: {old, new}}).",
    "task.completed": "A task was completed (internal; data: task).",
    "task.reopened": "A completed task was reopened (internal; data: task).",
    "case.sla_warned": "A service-level target reached its warning share (internal; data: target: first_response | "
                       "next_response | resolution | ola, due: when the target is due, workgroup: handling the case).",
    "case.sla_breached": "A service-level target was missed (internal; data: target: first_response | next_response "
                         "| resolution | ola, due: when it was due, workgroup: handling the case when it was missed); "
                         "case.escalated follows when the case was not escalated yet.",
}
