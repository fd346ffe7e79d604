"""Terraform: plans (``plan``) and configuration as written (``roots`` over ``config``), both
turned into the model by one table of resource handlers (``handlers``)."""
