"""What officers and leads do in chat: the case card's buttons, their queue, one case, duty, invites
and search."""
