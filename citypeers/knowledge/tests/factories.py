"""Factories of the knowledge base, over the real reference data loaded for the test session.

Factories write rows directly (they are test fixtures, not interfaces); tests of the rules go
through the services. A practice made by :class:`PracticeFactory` always has its original
:class:`~citypeers.knowledge.models.PracticeText` (in ``language``) and a first revision, as
``practice_create`` would leave it.

Usage::

    PracticeFactory()                                   # a published English practice
    PracticeFactory(language="fr", title="Budget participatif", status="draft", owner=org)
    PracticeFactory(texts={"summary": "…", "lessons": "…"}, themes=[...], sdgs=[...])
    PracticeTextFactory(practice=p, language="es", title="…")   # a human translation
"""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from citypeers.accounts.tests.factories import UserFactory
from citypeers.knowledge.models import (
    AdoptionReport,
    Practice,
    PracticeText,
    Revision,
    SdgSuggestion,
    Status,
)
from citypeers.places.models import Sdg


def sdg(number: int) -> Sdg:
    return Sdg.objects.get(number=number)


class PracticeFactory(DjangoModelFactory[Practice]):
    """A published practice with its original text; ``title``, ``language`` and ``texts`` (the
    other template fields) go to that text; ``owner``, ``created_by`` and the rest to the practice.
    """

    class Meta:
        model = Practice
        skip_postgeneration_save = True

    # Attributes of the original text, taken out in ``_create``.
    title = factory.Sequence(lambda n: f"Practice {n}")
    language = "en"
    texts = factory.LazyFunction(dict)

    slug = factory.Sequence(lambda n: f"practice-{n}")
    status = Status.PUBLISHED
    original_language = factory.SelfAttribute("language")
    created_by = factory.SubFactory(UserFactory)
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.status == Status.PUBLISHED else None
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        title = kwargs.pop("title")
        language = kwargs.pop("language")
        texts = dict(kwargs.pop("texts") or {})
        practice = super()._create(model_class, *args, **kwargs)
        data = {
            "title": title,
            "summary": "",
            "context": "",
            "objectives": "",
            "results": "",
            "challenges": "",
            "lessons": "",
            **texts,
        }
        PracticeText.objects.create(practice=practice, language=language, is_original=True, **data)
        Revision.objects.create(
            practice=practice,
            language=language,
            number=1,
            data=data,
            author=practice.created_by,
        )
        return practice

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        for name in ("title", "language", "texts"):
            kwargs.pop(name, None)
        return super()._build(model_class, *args, **kwargs)

    @factory.post_generation
    def themes(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.themes.set(extracted)

    @factory.post_generation
    def sdgs(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.sdgs.set(extracted)


class PracticeTextFactory(DjangoModelFactory[PracticeText]):
    """A human translation (``is_original=False``) of a practice, French unless told otherwise."""

    class Meta:
        model = PracticeText

    practice = factory.SubFactory(PracticeFactory)
    language = "fr"
    is_original = False
    title = factory.Sequence(lambda n: f"Pratique {n}")
    translated_by = factory.SubFactory(UserFactory)


class SdgSuggestionFactory(DjangoModelFactory[SdgSuggestion]):
    class Meta:
        model = SdgSuggestion

    practice = factory.SubFactory(PracticeFactory)
    sdg = factory.LazyFunction(lambda: Sdg.objects.get(number=6))
    score = 0.5
    state = SdgSuggestion.State.PENDING


class AdoptionReportFactory(DjangoModelFactory[AdoptionReport]):
    class Meta:
        model = AdoptionReport

    practice = factory.SubFactory(PracticeFactory)
    organisation = factory.SubFactory("citypeers.directory.tests.factories.OrganisationFactory")
    what_changed = "Smaller pilot area."
    outcome = "Running in two districts."
