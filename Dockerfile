# Front-end components from the npm registry, pinned by package-lock.json: DSFR Chart's map.
FROM node:20-slim AS composants
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Image for web (gunicorn), worker and beat; see docker-compose.yml.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# What `make installer` copies into static/vendor/, for collectstatic and whitenoise.
COPY --from=composants /build/node_modules/@gouvfr/dsfr-chart/dist/MapChart/MapChart.js \
     /build/node_modules/@gouvfr/dsfr-chart/dist/MapChart/MapChart.css \
     /build/node_modules/@gouvfr/dsfr-chart/LICENSE static/vendor/dsfr-chart/
# collectstatic needs a key to import the settings; this one is never used at run time.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input
RUN useradd --system --home /app territoires && chown -R territoires /app/var 2>/dev/null || true
USER territoires
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2"]
