"""Staff screens over the notifier: the outbox (delivery state, attempts, requeue), the demo's captured
mail, and the notifications tab of the case page. URLs under /notifications/."""
