from django.urls import path

from civunit import converters  # noqa: F401 (registers the <id:…> converter used below)

from . import campaign_views, views

app_name = "campaign"

urlpatterns = [
    path("plan/", views.plan, name="plan"),
    path("plan/edit/", views.plan_edit, name="plan_edit"),
    path("criteria/", views.criteria, name="criteria"),
    path("standards/choices/", views.standard_choices, name="standard_choices"),
    path("criteria/<id:pk>/", views.criterion, name="criterion"),
    path("criteria/<id:pk>/assessment/", views.assessment_save, name="assessment_save"),
    path("criteria/<id:pk>/explanation/", views.explanation_save, name="explanation_save"),
    path("criteria/self-assessment.xlsx", views.self_assessment_export, name="self_assessment_xlsx"),
    path("veto/", views.veto, name="veto"),
    path("veto/<id:pk>/", views.veto_update, name="veto_update"),
    path("manage/", views.manage, name="manage"),
    path("manage/criteria/import/", views.criteria_import, name="criteria_import"),
    path("manage/criteria/export.xlsx", views.criteria_export, {"fmt": "xlsx"}, name="criteria_export_xlsx"),
    path("manage/criteria/export.json", views.criteria_export, {"fmt": "json"}, name="criteria_export_json"),
    # The campaigns themselves (campaign_views.py)
    path("campaigns/", campaign_views.campaigns, name="campaigns"),
    path("campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path("campaigns/<id:pk>/make-current/", campaign_views.make_current, name="make_current"),
    path("campaigns/<id:pk>/archive/", campaign_views.archive, name="archive"),
    path("campaigns/<id:pk>/reopen/", campaign_views.reopen, name="reopen"),
    path("select/", campaign_views.select, name="select"),
]
