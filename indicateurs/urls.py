from django.urls import path

from indicateurs import views

urlpatterns = [
    path("", views.programme, name="indicateurs_programme"),
    # Overdue reports by project, as spreadsheets (the homes of officers and directors link to them).
    path("retards.csv", views.retards_csv, name="retards_csv"),
    path("retards.xlsx", views.retards_xlsx, name="retards_xlsx"),
    path("mesures/a-valider/", views.mesure_queue, name="mesure_queue"),
    path("mesures/<uuid:uid>/decision/", views.mesure_decide, name="mesure_decide"),
    path("mesures/modele.xlsx", views.mesures_modele, name="mesures_modele"),
    path("mesures/import/", views.mesures_import, name="mesures_import"),
    path("<slug:code>/", views.indicateur_detail, name="indicateur_detail"),
    path("<slug:code>/modifier/", views.indicateur_update, name="indicateur_update"),
]
