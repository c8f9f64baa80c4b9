from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from jobboard.board import selectors
from jobboard.board.models import Listing

PAGE_SIZE = 20


def job_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.listing_list(), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "board/job_list.html", {"page": page, "total": paginator.count})


def job_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    listing = get_object_or_404(Listing.objects.select_related("company"), pk=pk)
    if slug != listing.slug:
        return redirect(listing, permanent=True)
    if not listing.is_visible:
        return render(request, "board/job_gone.html", {"listing": listing}, status=410)
    return render(request, "board/job_detail.html", {"listing": listing})
