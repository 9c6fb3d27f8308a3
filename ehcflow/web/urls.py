from django.contrib.auth import views as auth_views
from django.urls import include, path

from ehcflow.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("sign-in/", auth_views.LoginView.as_view(template_name="web/sign_in.html"),
         name="login"),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("insight/", include("ehcflow.insight.urls")),
    path("planning/", include("ehcflow.planning.urls")),
    path("accounts/", include("ehcflow.people.urls")),
    path("sen2/", include("ehcflow.sen2.urls")),
    path("reviews/", include("ehcflow.reviews.urls")),
    path("disagreements/", include("ehcflow.disagreements.urls")),
    path("plans/", include("ehcflow.plans.urls")),
    path("family/", include("ehcflow.families.urls")),
    path("partners/", include("ehcflow.partners.urls")),
    path("messages/", include("ehcflow.notify.urls")),
    path("files/", include("ehcflow.files.urls")),
    path("", include("ehcflow.casework.urls")),
]
