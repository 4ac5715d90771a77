"""The customer portal and the staff area: thin Streamlit pages over the kb core."""
