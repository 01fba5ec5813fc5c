"""``hearth.asgi`` for the server the journeys talk to, which outlives every test's database
flush. A flush makes the content types anew, with new ids, so this process drops its
``ContentType`` cache before each request and each socket frame; otherwise a report filed
after a flush names a content type that no longer exists. (A production process never
sees its content types change.)"""

from django.apps import apps

from hearth.asgi import application as hearth_application  # sets Django up


def forget_content_types() -> None:
    apps.get_model("contenttypes", "ContentType").objects.clear_cache()


async def application(scope, receive, send):
    forget_content_types()

    async def receive_after_forgetting():
        message = await receive()
        forget_content_types()
        return message

    return await hearth_application(scope, receive_after_forgetting, send)
