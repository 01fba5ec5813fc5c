FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input \
    && useradd --create-home hearth
USER hearth

EXPOSE 8000
CMD ["daphne", "--access-log", "/dev/null", "-b", "0.0.0.0", "-p", "8000", "hearth.asgi:application"]
