"""The event types and what each one's data holds (ids and old/new values, never display names).
The API documents this list and webhook endpoints subscribe to its names."""

# type -> one line for integrators (English: it is API documentation, not text for the portal's people).
EVENT_TYPES: dict[str, str] = {
    "case.created": "A case was opened (data: template, customer, status, priority, workgroup, fields).",
    "case.updated": "Case details changed (data: changes: {field: {old, new}}).",
    "case.commented": "A public comment was added (data: comment, attachments).",
    "case.internal_note_added": "A staff-only note was added (internal; data: comment, attachments).",
    "case.status_changed": "The status changed (data: old, new status ids and categories).",
    "case.assigned": "The assignee changed (data: old, new user ids; null when unassigned).",
    "case.moved": "The workgroup changed (data: old, new workgroup ids).",
    "case.escalated": "The case was escalated (data: old, new workgroup ids).",
    "case.priority_changed": "The priority changed (data: old, new).",
    "case.resolution_proposed": "Staff proposed a resolution (data: resolution).",
    "case.resolution_accepted": "The customer accepted the resolution (data: rating).",
    "case.resolution_rejected": "The customer rejected the resolution.",
    "case.closed": "The case was closed (data: reason: null or unanswered_resolution).",
    "case.reopened": "The case was reopened.",
    "case.customer_linked": "Another customer was linked to the case (data: customer).",
    "case.customer_unlinked": "A linked customer was removed (data: customer).",
    "case.contact_logged": "Staff logged a contact with the customer (internal; data: channel).",
    "task.created": "A task was added to the case (internal; data: task).",
    "task.updated": "A task changed (internal; data: task, changes).",
    "task.completed": "A task was completed (internal; data: task).",
    "task.reopened": "A completed task was reopened (internal; data: task).",
}
