"""An upload that cannot be written (media folder full or not writable) is a clear error on the
upload field, leaves no row and no half-written file.

The failures are real, not mocked: a ``MEDIA_ROOT`` under a regular file (every write fails, as
on a read-only or vanished mount), and a file-size limit (``RLIMIT_FSIZE``) that makes the
kernel refuse a write in the middle of the file, as a disk that fills up does.
``bench/faults.py --only upload`` does the same with a 64 KB tmpfs and a read-only mount.
"""

from __future__ import annotations

import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile

from citypeers.accounts.models import User
from citypeers.core.uploads import MediaStorage
from citypeers.partnerships.models import Agreement
from citypeers.partnerships.tests.factories import PartnershipFactory

#: A PDF of 200 KB: it passes the type check, and is larger than the "disk" below.
PDF = b"%PDF-1.4\n" + b"0" * 200_000 + b"\n%%EOF"
DISK_BYTES = 64 * 1024


@contextmanager
def disk_full_after(limit: int) -> Iterator[None]:
    """Writes beyond ``limit`` bytes of a file fail with ``EFBIG``, in this process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_the_fault_is_real_django_s_own_storage_leaves_a_truncated_file(tmp_path):
    storage = FileSystemStorage(location=tmp_path)

    with pytest.raises(OSError), disk_full_after(DISK_BYTES):
        storage.save("agreements/mou.pdf", ContentFile(PDF))

    assert files_under(tmp_path) == ["agreements/mou.pdf"]
    assert (tmp_path / "agreements" / "mou.pdf").stat().st_size <= DISK_BYTES


def test_media_storage_leaves_nothing_when_the_disk_fills_up(tmp_path):
    storage = MediaStorage(location=tmp_path)

    with pytest.raises(OSError), disk_full_after(DISK_BYTES):
        storage.save("agreements/mou.pdf", ContentFile(PDF))

    assert files_under(tmp_path) == []


def test_media_storage_saves_whole_files_and_never_replaces_one(tmp_path):
    storage = MediaStorage(location=tmp_path)

    first = storage.save("agreements/mou.pdf", ContentFile(PDF))
    second = storage.save("agreements/mou.pdf", ContentFile(b"%PDF-1.4 other"))

    assert first == "agreements/mou.pdf"
    assert second != first and second.startswith("agreements/mou")
    assert (tmp_path / first).read_bytes() == PDF
    assert (tmp_path / second).read_bytes() == b"%PDF-1.4 other"
    assert files_under(tmp_path) == sorted([first, second])  # no .part file left


@pytest.fixture
def editor_client(client):
    staff = User.objects.create_user(
        username="staff",
        email="s@example.org",
        password="a-long-passphrase",
        is_staff=True,
        is_superuser=True,
    )
    client.force_login(staff)
    return client


def post_agreement(client, partnership):
    return client.post(
        f"/en/partnerships/{partnership.slug}/agreements/new/",
        {"title": "MoU", "document": SimpleUploadedFile("mou.pdf", PDF, "application/pdf")},
    )


def document_error(page: str) -> str:
    import re

    match = re.search(r'id="id_document_error"[^>]*>(.*?)</', page, re.S)
    return match.group(1) if match else ""


@pytest.mark.django_db
def test_an_unwritable_media_folder_is_an_error_on_the_upload_field(
    editor_client, settings, tmp_path
):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a regular file where the media folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    partnership = PartnershipFactory()

    response = post_agreement(editor_client, partnership)

    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be stored" in document_error(page)
    assert "Traceback" not in page
    assert not Agreement.objects.filter(partnership=partnership).exists()
    assert files_under(tmp_path) == ["not-a-folder"]


@pytest.mark.django_db
def test_a_full_media_folder_is_an_error_on_the_field_and_leaves_nothing(
    editor_client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "citypeers.core.uploads.MediaStorage"},
    }
    partnership = PartnershipFactory()

    with disk_full_after(DISK_BYTES):
        response = post_agreement(editor_client, partnership)

    assert response.status_code == 400
    assert "could not be stored" in document_error(response.content.decode())
    assert not Agreement.objects.filter(partnership=partnership).exists()
    assert files_under(tmp_path) == []
