"""The module page's editing form in the admin."""

from wagtail.admin.forms import WagtailAdminPageForm


class ModulePageForm(WagtailAdminPageForm):
    """Checks the publishing rules whenever the module is to go live (publish,
    submit for approval, a workflow action), not when it is saved as a draft: a new
    module has no lessons until it has been saved and they have been added."""

    def _post_clean(self):
        super()._post_clean()
        if self.is_deferred_validation:
            return
        for field, message in self.instance.publishing_problems():
            if field is None or field not in self.fields:
                self.add_error(None, message)
            elif field not in self._errors:
                # The model's own clean() has already reported this field.
                self.add_error(field, message)
