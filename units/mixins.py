"""The one scope check of a view (built on ``units.scope``): 404 outside the user's scope, 403 without the right."""

from django.contrib.auth.mixins import LoginRequiredMixin

from units.scope import CapabilityRefused, require, scope_for


class ScopeRequiredMixin(LoginRequiredMixin):
    """The one check of a view: log in first; the view's object comes through a selector that answers 404
    outside the user's scope; then ``required_capability`` is needed on the object's unit (403 without it),
    or somewhere in the user's scope when the view has no object.

    A view sets ``required_capability`` and, when it works on one object, ``scoped_object_name`` and
    ``get_scoped_object()`` (and ``get_scoped_unit()`` when the object's unit is not ``object.unit``). The
    object is kept on the view under ``scoped_object_name``; the user's scope under ``self.scope``.
    """

    required_capability: str | None = None
    scoped_object_name: str = "scoped_object"

    def get_scoped_object(self):
        """The object the view works on, read through a ``*_get_for_user`` selector (404 outside scope)."""
        return None

    def get_scoped_unit(self, obj):
        return obj if hasattr(obj, "path") else obj.unit  # a unit itself, or a row that belongs to one

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = scope_for(request.user)
        obj = self.get_scoped_object()
        if obj is not None:
            setattr(self, self.scoped_object_name, obj)
        if self.required_capability:
            if obj is None:
                if not self.scope.can_anywhere(self.required_capability):
                    raise CapabilityRefused(self.required_capability)
            else:
                require(request.user, self.required_capability, self.get_scoped_unit(obj))
        return super().dispatch(request, *args, **kwargs)
