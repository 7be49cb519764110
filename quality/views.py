"""The public "How we inspect" page: every point of the rubric, the weights and the formula."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from quality.ratings import C, M
from quality.rubric import GATES, PASS_MARK, POINT_COUNT, RUBRIC, RUBRIC_VERSION


def how_we_inspect(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "quality/how_we_inspect.html",
        {
            "rubric": RUBRIC,
            "rubric_version": RUBRIC_VERSION,
            "pass_mark": PASS_MARK,
            "point_count": POINT_COUNT,
            "gate_count": len(GATES),
            "prior_weight": M,
            "network_mean": C,
            "computed_count": sum(1 for c in RUBRIC for p in c.points if p.computed),
        },
    )
