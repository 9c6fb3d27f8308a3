from django.urls import path

from ehcflow.people import views

app_name = "people"

urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("new/", views.account_new, name="account_new"),
    path("changes/", views.change_log, name="change_log"),
    path("staff-file/", views.staff_file, name="staff_file"),
    path("staff-file/load/", views.staff_file_load, name="staff_file_load"),
    path("staff-file/template.csv", views.staff_file_template, name="staff_file_template"),
    path("set-password/done/", views.set_password_done, name="set_password_done"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(),
         name="set_password"),
    path("<uuid:public_id>/", views.account_detail, name="account"),
    path("<uuid:public_id>/change/", views.account_change, name="account_change"),
    path("<uuid:public_id>/disable/", views.account_disable, name="account_disable"),
    path("<uuid:public_id>/enable/", views.account_enable, name="account_enable"),
    path("<uuid:public_id>/set-password-link/", views.account_send_link,
         name="account_send_link"),
]
