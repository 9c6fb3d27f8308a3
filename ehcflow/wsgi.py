"""WSGI entry point for production application servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ehcflow.settings")
application = get_wsgi_application()
