"""The partners' space."""

from django.shortcuts import redirect


def espace_partenaire(request):
    return redirect("home")
