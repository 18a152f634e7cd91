"""What people read: figures, text and HTML pieces, the partner report, the notebook runner, the
forum's index page, the main reports job and the scenario explorer."""
