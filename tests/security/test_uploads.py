"""Uploads are judged by their content and size: pictures (logos, practice covers) and documents
(agreements, practice resources); a web page or SVG under an innocent name is refused with a
clear error on the field."""

from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image

from citypeers.accounts.models import User
from citypeers.core.errors import ApplicationError
from citypeers.core.uploads import (
    DOCUMENT_MAX_BYTES,
    IMAGE_MAX_BYTES,
    validate_document,
    validate_image,
)
from citypeers.knowledge.services import resource_add
from citypeers.knowledge.tests.factories import PracticeFactory
from citypeers.partnerships.models import Agreement
from citypeers.partnerships.tests.factories import PartnershipFactory

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def picture(kind: str = "PNG", size: tuple[int, int] = (8, 8), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format=kind)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["PNG", "JPEG", "GIF", "WEBP"])
def test_pictures_are_accepted(kind):
    validate_image(SimpleUploadedFile(f"logo.{kind.lower()}", picture(kind)))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.png", SVG, "SVG is not accepted"),
        ("logo.svg", SVG, "SVG is not accepted"),
        ("logo.jpg", HTML, "Upload a picture"),
        ("logo.png", b"", "Upload a picture"),
        ("logo.png", picture("PNG")[:40], "Upload a picture"),
        ("logo.tiff", picture("TIFF"), "not TIFF"),
        ("logo.png", b"\x89PNG" + b"\x00" * (IMAGE_MAX_BYTES + 1), "at most 5.0"),
        ("huge.png", picture("PNG", (10_000, 5_000), "1"), "million pixels"),
    ],
)
def test_anything_else_is_refused_as_a_picture(name, content, message):
    with pytest.raises(ValidationError) as refused:
        validate_image(SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.messages)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("mou.pdf", PDF),
        ("plan.docx", b"PK\x03\x04" + b"\x00" * 30),
        ("budget.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 30),
        ("notes.txt", "Compte rendu : décisions prises.\n".encode()),
        ("data.csv", b"city,country\nDakar,SEN\n"),
    ],
)
def test_documents_are_accepted(name, content):
    validate_document(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("mou.pdf", HTML, "not a PDF document"),
        ("mou.pdf", SVG, "not a PDF document"),
        ("page.html", HTML, "not “.html”"),
        ("drawing.svg", SVG, "not “.svg”"),
        ("run.exe", b"MZ\x90\x00", "not “.exe”"),
        ("noname", PDF, "not “?”"),
        ("notes.txt", HTML, "not plain text"),
        ("notes.txt", b"\xff\xfe\x00\x00binary" * 20, "UTF-8"),
        ("big.pdf", b"%PDF-" + b"0" * DOCUMENT_MAX_BYTES, "at most 10.0"),
    ],
)
def test_anything_else_is_refused_as_a_document(name, content, message):
    with pytest.raises(ValidationError) as refused:
        validate_document(SimpleUploadedFile(name, content))
    assert message in " ".join(refused.value.messages)


def test_every_upload_field_checks_its_files():
    """Each file field of the platform's models names one of the two validators."""
    fields = [
        (model._meta.label, f.name, f.validators)
        for model in apps.get_models()
        if model.__module__.startswith("citypeers.")
        for f in model._meta.fields
        if isinstance(f, models.FileField)
    ]
    assert len(fields) >= 4
    for label, name, validators in fields:
        assert validate_image in validators or validate_document in validators, (label, name)


@pytest.mark.django_db
def test_the_agreement_form_refuses_a_web_page_named_pdf(client):
    staff = User.objects.create_user(
        username="staff", email="s@example.org", password="a-long-passphrase", is_staff=True
    )
    staff.is_superuser = True
    staff.save()
    partnership = PartnershipFactory()
    client.force_login(staff)
    url = f"/en/partnerships/{partnership.slug}/agreements/new/"

    response = client.post(
        url, {"title": "MoU", "document": SimpleUploadedFile("mou.pdf", HTML, "application/pdf")}
    )

    assert response.status_code in (200, 400)
    assert "not a PDF document" in response.content.decode()
    assert not Agreement.objects.filter(partnership=partnership).exists()

    response = client.post(
        url, {"title": "MoU", "document": SimpleUploadedFile("mou.pdf", PDF, "application/pdf")}
    )
    assert response.status_code == 302
    assert Agreement.objects.get(partnership=partnership).document.name.endswith(".pdf")


@pytest.mark.django_db
def test_a_service_refuses_a_bad_resource_with_the_field_named(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    practice = PracticeFactory()
    staff = User.objects.create_user(
        username="staff",
        email="s@example.org",
        password="a-long-passphrase",
        is_staff=True,
        is_superuser=True,
        is_moderator=True,
    )
    with pytest.raises(ApplicationError) as refused:
        resource_add(
            actor=staff,
            practice=practice,
            title="Plan",
            document=SimpleUploadedFile("plan.pdf", SVG),
        )
    assert refused.value.field == "document"
    assert not list(tmp_path.rglob("*.pdf"))
