from django.db import models

from .article import Article


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriberQuerySet":
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def awaiting_confirmation_email(self) -> "SubscriberQuerySet":
        """Pending sign-ups whose confirmation email has not gone out (say, SMTP was down)."""
        return self.filter(status=Subscriber.Status.PENDING, confirmation_sent_at__isnull=True)


class Subscriber(models.Model):
    """Someone who asked for emails about new articles. Their address is personal data."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    email = models.EmailField(max_length=254, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    key = models.CharField(
        max_length=32,
        unique=True,
        editable=False,
        help_text="Random value that names this person in their links (never their number), "
        "changed when they sign up again after unsubscribing, so old links stop working.",
    )
    consent_wording_version = models.CharField(
        max_length=20, help_text="Which version of the sign-up wording they agreed to."
    )
    consent_given_at = models.DateTimeField(help_text="When they ticked the consent box.")
    consent_page = models.CharField(
        max_length=200, blank=True, help_text="The page they signed up on."
    )
    confirmation_sent_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the last email answering a sign-up went out: the confirmation, or for "
        'someone already subscribed, "you are already subscribed". Empty while one is being '
        "sent, or when it could not be sent.",
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="When they confirmed by pressing the button."
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # Not the address: the admin's history keeps this text after a subscriber is deleted.
        return f"Subscriber {self.pk}"


class DeliveryQuerySet(models.QuerySet):
    def failed(self) -> "DeliveryQuerySet":
        """Tried and not sent: kept for the next run of send_updates."""
        return self.filter(sent_at__isnull=True, attempts__gt=0)

    def pending(self) -> "DeliveryQuerySet":
        """Still to be sent: to a confirmed subscriber, about an article the public can see."""
        from .article import Article

        return self.filter(
            sent_at__isnull=True,
            subscriber__status=Subscriber.Status.CONFIRMED,
            article__in=Article.objects.published(),
        )

    def unclaimed(self, lapsed_before) -> "DeliveryQuerySet":
        """Not being sent by a run right now (a claim made before ``lapsed_before`` has
        lapsed: its run died)."""
        return self.filter(
            models.Q(sending_since__isnull=True) | models.Q(sending_since__lt=lapsed_before)
        )


class Delivery(models.Model):
    """One article that one subscriber is told about: recorded, so no one is emailed twice."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deliveries")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    # Set while a run sends it, so that two runs at once never both send it.
    sending_since = models.DateTimeField(null=True, blank=True, editable=False)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["subscriber", "article"], name="one_delivery_each")
        ]

    def __str__(self) -> str:
        return f"{self.article} to subscriber {self.subscriber_id}"
