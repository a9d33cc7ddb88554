"""An embed finder for tests: the test machines have no internet, and the tests must
not depend on a video site anyway."""

from wagtail.embeds.finders.base import EmbedFinder


class StubEmbedFinder(EmbedFinder):
    def accept(self, url):
        return url.startswith("https://video.example/")

    def find_embed(self, url, max_width=None, max_height=None):
        return {
            "title": "Example video",
            "author_name": "Coach Academy",
            "provider_name": "Example",
            "type": "video",
            "thumbnail_url": None,
            "width": 640,
            "height": 360,
            "html": f'<iframe title="Example video" src="{url}/player"></iframe>',
        }
