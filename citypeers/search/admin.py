from django.contrib import admin

from .models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "doc_type", "object_id", "language", "updated_at")
    list_filter = ("doc_type", "language")
    search_fields = ("title", "external_id")
    readonly_fields = ("embedding",)
