"""Small gazetteers shared by annotation and eval (see README.md here)."""
