import gc
import os
from importlib import import_module

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# What lives as long as the worker (settings, models, the URL conf with every view and
# serializer it imports) is moved out of the cyclic garbage collector's reach: otherwise its
# full collections walk all of it every few dozen requests, which bench/ measured as the
# p95 of a page of 100 projects (pauses of 50 to 150 ms; about half after freezing).
import_module(settings.ROOT_URLCONF)
gc.freeze()
