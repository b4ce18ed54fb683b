"""The baseline: a bare Django view that parses the form and inserts one row, nothing else.

The table is created by bench/webhook.py with raw SQL (see BASELINE_TABLE there)."""

import json

from django.db import connection
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@csrf_exempt
def insert_one(request):
    form = {key: request.POST.get(key, "") for key in request.POST}
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_baseline_inbound (sid, body, raw) VALUES (%s, %s, %s)",
            [form.get("MessageSid"), form.get("Body"), json.dumps(form)],
        )
    return HttpResponse(TWIML, content_type="text/xml; charset=utf-8")
