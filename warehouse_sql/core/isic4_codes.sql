select isic4 from core.dim_activity
